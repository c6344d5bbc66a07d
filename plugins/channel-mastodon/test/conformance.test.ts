import { describeChannelConformance } from '@rapport/testkit/conformance';
import { createHarness } from './harness.js';

describeChannelConformance({ name: 'mastodon', create: createHarness, timeoutMs: 60_000 });
