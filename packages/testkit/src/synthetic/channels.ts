/**
 * What a kind of channel supports, so that the stream does not produce items a real channel
 * never would (a "like" on an email, a purchase on Mastodon).
 */
export interface ChannelProfile {
  /** Kinds a customer uses to open a conversation. */
  readonly starts: ReadonlyArray<'message' | 'mention' | 'post'>;
  /** Customers react to items (likes, favourites). */
  readonly reactions: boolean;
  /** Customers share items (retweets, boosts). */
  readonly shares: boolean;
  /** Customers write reviews there. */
  readonly reviews: boolean;
  /** Purchases are reported there (order confirmations). */
  readonly purchases: boolean;
  /** The brand publishes posts there that nobody in particular receives. */
  readonly announcements: boolean;
  /** Customers answer each other's threads (a forum), not only the brand. */
  readonly peerReplies: boolean;
  /** Items can be edited later, so they carry a content version. */
  readonly mutable: boolean;
  /** The channel reports the language of items. */
  readonly reportsLanguage: boolean;
  /** Text length scale: short-form channels keep texts short. */
  readonly longForm: boolean;
  /** Prefixes the customer's item text with the brand handle (a public mention). */
  readonly mentionsBrand: boolean;
}

const twitter: ChannelProfile = {
  starts: ['mention', 'mention', 'message'],
  reactions: true,
  shares: true,
  reviews: false,
  purchases: false,
  announcements: true,
  peerReplies: false,
  mutable: true,
  reportsLanguage: true,
  longForm: false,
  mentionsBrand: true,
};

/** Profiles of the channels the generator knows; any other channel gets {@link genericProfile}. */
export const channelProfiles: Readonly<Record<string, ChannelProfile>> = {
  twitter,
  x: twitter,
  mastodon: { ...twitter, starts: ['mention', 'message'] },
  bluesky: twitter,
  email: {
    starts: ['message'],
    reactions: false,
    shares: false,
    reviews: true,
    purchases: true,
    announcements: false,
    peerReplies: false,
    mutable: false,
    reportsLanguage: false,
    longForm: true,
    mentionsBrand: false,
  },
  forum: {
    starts: ['post'],
    reactions: true,
    shares: false,
    reviews: true,
    purchases: false,
    announcements: true,
    peerReplies: true,
    mutable: true,
    reportsLanguage: false,
    longForm: true,
    mentionsBrand: false,
  },
};

/** The profile of a channel the generator does not know: it supports everything. */
export const genericProfile: ChannelProfile = {
  starts: ['message', 'post'],
  reactions: true,
  shares: true,
  reviews: true,
  purchases: true,
  announcements: true,
  peerReplies: false,
  mutable: true,
  reportsLanguage: false,
  longForm: true,
  mentionsBrand: false,
};

/** The profile for a channel id. */
export function profileOf(channel: string): ChannelProfile {
  return channelProfiles[channel] ?? genericProfile;
}

/** The brand's default accounts on a channel, named after the brand (`acme`, `acme_support`...). */
export function defaultAccounts(channel: string, brand: string): string[] {
  switch (channel) {
    case 'email':
      return [`hello@${brand}.example`, `support@${brand}.example`];
    case 'mastodon':
      return [`${brand}@social.example`, `${brand}_support@social.example`];
    case 'forum':
      return [`community.${brand}.example`];
    default:
      return [brand, `${brand}_support`];
  }
}
