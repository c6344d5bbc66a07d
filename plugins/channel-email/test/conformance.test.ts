import { describeChannelConformance } from '@rapport/testkit/conformance';
import { createHarness } from './harness.js';

describeChannelConformance({ name: 'email', create: createHarness, timeoutMs: 60_000 });
