/**
 * Word lists the synthetic generators build names and texts from. Everything is computed once at
 * module load so that per-item work is limited to picking indexes and concatenating.
 */

/** Splits a space-separated word list (keeps long lists compact in the source). */
function list(words: string): readonly string[] {
  return words.split(' ');
}

/** Given names, lower case ASCII so they can go into handles and email addresses as they are. */
export const FIRST_NAMES: readonly string[] = list(
  'ada alan amara amir ana anders anika arjun aya beatriz ben bilal carla carlos chen chloe ' +
    'chidi dana daniel dev diego elena eli emma erik fatima felix fern gabriel grace hana ' +
    'hassan helen ines ivan jade jamal jana jin joao jonas julia kai kamala karim kenji kofi ' +
    'lara leila leo lina lucas luis maya marco maria mateo mei mia milan nadia nia niko noah ' +
    'nora olga omar oscar paula pedro priya rafael rania ravi rosa ruth sam sara sofia sven ' +
    'tariq tess theo tomas uma valentina vera victor wei yara yusuf zara zoe aiko bruno camille ' +
    'dmitri esther farah gustav',
);

/** Family names, lower case ASCII. */
export const LAST_NAMES: readonly string[] = list(
  'abe adeyemi alvarez andersen bauer bianchi brown castro chen costa dubois dvorak eriksson ' +
    'fernandes fischer garcia gomez gupta haddad hansen hernandez ito ivanova jensen johnson ' +
    'kaur kim kowalski kumar lambert larsen lee lopez martin meyer mendes moreau murphy ' +
    'nakamura nguyen novak obi okafor olsen park patel perez petrov quinn ramos reyes rossi ' +
    'sato schmidt silva singh smith sousa suzuki tanaka taylor torres tran urban vargas ' +
    'virtanen wagner walker wang weber williams wilson wong xu yamamoto yilmaz young zhang ' +
    'zimmer novotny lindqvist mbeki achebe santos popescu horvat kovacs nowak jovanovic demir ' +
    'rahman hussain ali khan mensah owusu diallo traore',
);

/** Capitalises a lower-case word. */
function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** {@link FIRST_NAMES}, capitalised for display names. */
export const FIRST_NAMES_DISPLAY: readonly string[] = FIRST_NAMES.map(capitalize);

/** {@link LAST_NAMES}, capitalised for display names. */
export const LAST_NAMES_DISPLAY: readonly string[] = LAST_NAMES.map(capitalize);

/** Mail domains of personal addresses (reserved `.example` names, so nothing real is addressed). */
export const EMAIL_DOMAINS: readonly string[] = [
  'mail.example',
  'inbox.example',
  'post.example',
  'fastmail.example',
  'proton.example',
  'uni.example',
  'corp.example',
];

/** Fediverse instances of the customers' Mastodon handles. */
export const MASTODON_INSTANCES: readonly string[] = [
  'social.example',
  'toot.example',
  'fedi.example',
  'hachyderm.example',
];

/** Currencies of purchases, most common first. */
export const CURRENCIES: readonly string[] = ['USD', 'EUR', 'GBP', 'CAD', 'JPY'];

/** Relative frequency of each entry of {@link CURRENCIES}. */
export const CURRENCY_WEIGHTS: readonly number[] = [0.5, 0.3, 0.1, 0.06, 0.04];

/** Reaction types put in `metadata.reaction`. */
export const REACTIONS: readonly string[] = ['like', 'like', 'like', 'love', 'laugh', 'wow', 'sad', 'angry'];

/** Product names the texts talk about. */
export const PRODUCTS: readonly string[] = [
  'the Rocket Skates',
  'the anvil',
  'the starter kit',
  'the mobile app',
  'the Pro plan',
  'the desk lamp',
  'the headphones',
  'the smart kettle',
  'the backpack',
  'the API',
  'the dashboard',
  'the subscription',
  'the delivery',
  'my order',
  'the invoice',
  'the firmware update',
  'the charger',
  'the gift card',
  'the return label',
  'the warranty',
  'the new release',
  'the coffee grinder',
  'the sync feature',
];

/** Product SKUs put in purchase metadata, with a list price each. */
export const SKUS: ReadonlyArray<readonly [sku: string, price: number]> = [
  ['SKATE-01', 129.99],
  ['ANVIL-XL', 349.0],
  ['KIT-START', 49.5],
  ['PLAN-PRO-M', 19.0],
  ['PLAN-PRO-Y', 190.0],
  ['LAMP-02', 39.9],
  ['HEAD-7', 89.0],
  ['KETTLE-S', 59.95],
  ['PACK-30L', 74.0],
  ['CHRG-65W', 24.99],
  ['GIFT-25', 25.0],
  ['GRIND-C', 115.0],
  ['STICKER', 3.5],
];

/** Words carrying a positive tone. */
export const POSITIVE_WORDS: readonly string[] = list(
  'love great awesome amazing fantastic helpful fast excellent happy thanks brilliant smooth ' +
    'perfect delighted impressed reliable friendly wonderful solid recommend best easy ' +
    'beautiful quick superb glad grateful nice enjoy works',
);

/** Words carrying a negative tone. */
export const NEGATIVE_WORDS: readonly string[] = list(
  'broken terrible awful slow disappointed refund worst useless angry annoying frustrated ' +
    'late damaged crash bug unacceptable rude missing wrong fails waiting hate horrible cancel ' +
    'overcharged confusing laggy ignored poor never',
);

/** Neutral filler words. */
export const COMMON_WORDS: readonly string[] = list(
  'the a it is was and but so to of in on for with my your this that we they have has had ' +
    'just still again today yesterday week order account email support team time app update ' +
    'price box shipping question about when how why what could would should please can not ' +
    'really very also after before since days hours got tried set up use using feature setting ' +
    'screen login password payment card store online package tracking number reply help need ' +
    'know think feel look new old first last every some any more less than one two three friend ' +
    'family work home morning night weekend version phone laptop',
);

/** Sentence openers (capitalised), so that texts read as sentences. */
export const SENTENCE_STARTS: readonly string[] = [
  'I',
  'My',
  'The',
  'Your',
  'This',
  'We',
  'It',
  'Our',
  'Just',
  'So',
  'Honestly',
  'Also',
  'Again',
  'Today',
  'Yesterday',
  'Hey',
  'Quick question:',
  'FYI',
  'Still',
  'Why',
];

/** Emoji that go with a positive tone. */
export const POSITIVE_EMOJI: readonly string[] = ['😀', '😍', '🎉', '👍', '🙌', '❤️', '✨', '🔥', '😊', '💯'];

/** Emoji that go with a negative tone. */
export const NEGATIVE_EMOJI: readonly string[] = ['😡', '😤', '👎', '😞', '🙄', '💔', '😩', '🤬'];

/** Emoji that go with a neutral tone. */
export const NEUTRAL_EMOJI: readonly string[] = ['🤔', '📦', '👀', '🙏', '📱', '⏳'];

/** How the brand opens a reply (the customer's first name follows). */
export const BRAND_GREETINGS: readonly string[] = ['Hi', 'Hello', 'Hey', 'Thanks for reaching out,', 'Dear'];

/** Sentences the brand replies with. */
export const BRAND_SENTENCES: readonly string[] = [
  'Sorry to hear about the trouble.',
  'Thanks a lot for the kind words!',
  'Could you send us your order number in a direct message?',
  'We have escalated this to our team.',
  'A replacement is on its way.',
  'We just issued a full refund.',
  'Can you try updating to the latest version?',
  'Our engineers are looking into it right now.',
  'That is great to hear.',
  'Let us know if there is anything else we can do.',
  'You should get an email with the details shortly.',
  'We appreciate your patience.',
  'Happy to help!',
  'The fix ships in the next release.',
];

/** How brand email replies are signed. */
export const BRAND_SIGNATURES: readonly string[] = [
  'Sam, Customer Care',
  'Priya, Support',
  'Jo from the team',
  'The Support Team',
];

/** Headlines of brand announcements. */
export const ANNOUNCEMENTS: readonly string[] = [
  'Big news: the new release is out today!',
  'Our spring sale starts now, up to 30% off.',
  'Scheduled maintenance tonight between 1 and 3 am UTC.',
  'We just opened a new store downtown.',
  'Meet the team behind the Rocket Skates.',
  'Tips and tricks: getting the most out of the dashboard.',
  'Shipping delays in some regions this week, sorry about that.',
  'Thank you for 100k followers!',
];

/** Short texts of a referral. */
export const REFERRAL_TEXTS: readonly string[] = [
  'You should really try this.',
  'Invited a friend, they will love it.',
  'Here is my referral link, enjoy!',
  'Told my sister about you.',
  'Recommended you to my whole team.',
];
