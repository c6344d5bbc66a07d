import { createTestRapport, type Interaction, isRapportError, RapportError } from '@rapport/core';
import { storedInteraction } from '@rapport/testkit';
import { describe, expect, it } from 'vitest';
import { version } from '../package.json';
import {
  SENTIMENT_SCORES,
  sentimentScoring,
  supportsLanguage,
  UNSUPPORTED_LANGUAGE_LABEL,
  VADER_MODEL_VERSION,
  vader,
} from '../src/index.js';

const vaderModel = { id: 'vader', version: '3.3.2-ts.1', params: { alpha: 15, threshold: 0.05 } };

/** A stored inbound mention by a known customer, with the given text and language. */
function interaction(text: string | null, language: string | null = null): Interaction {
  return storedInteraction({ kind: 'mention', text, language, customerId: 'cus_1', identityId: 'idn_1' });
}

function optionsError(options: unknown): RapportError {
  try {
    sentimentScoring(options as never);
  } catch (error) {
    if (error instanceof RapportError) return error;
    throw error;
  }
  throw new Error('expected sentimentScoring to throw');
}

describe('sentimentScoring', () => {
  it('is a rapport.scoring/v1 plugin that annotates, naming the VADER model with its reference version', () => {
    const plugin = sentimentScoring();
    expect(plugin).toMatchObject({
      id: 'sentiment',
      version,
      specVersion: 'rapport.scoring/v1',
      capabilities: { annotate: true, incremental: false, recompute: false },
      models: [vaderModel],
    });
    expect(VADER_MODEL_VERSION).toBe('3.3.2-ts.1');
    expect(typeof plugin.annotate).toBe('function');
    expect(plugin.update).toBeUndefined();
    expect(plugin.recompute).toBeUndefined();
  });

  it('annotates English text with its compound score, labelled, and the model with its params', () => {
    const plugin = sentimentScoring();
    expect(plugin.annotate!(interaction('Not bad at all'))).toEqual([
      { name: 'sentiment', value: 0.431, model: vaderModel, label: 'positive' },
    ]);
    expect(plugin.annotate!(interaction('Today SUX!', 'en-US'))).toEqual([
      { name: 'sentiment', value: -0.5461, model: vaderModel, label: 'negative' },
    ]);
    expect(plugin.annotate!(interaction('The parcel arrived on Tuesday.', 'en'))?.[0]).toMatchObject({
      value: 0,
      label: 'neutral',
    });
  });

  it('labels with the threshold it is given, and records the threshold in the model params', () => {
    const plugin = sentimentScoring({ threshold: 0.5 });
    const [score] = plugin.annotate!(interaction('The book was good.'))!;
    expect(score).toMatchObject({ value: 0.4404, label: 'neutral' });
    expect(score?.model).toEqual({ ...vaderModel, params: { alpha: 15, threshold: 0.5 } });
    expect(plugin.models[0]?.params).toEqual({ alpha: 15, threshold: 0.5 });
  });

  it("adds VADER's positive, neutral and negative shares with `proportions`", () => {
    const plugin = sentimentScoring({ proportions: true });
    const text = 'The plot was good, but the characters are uncompelling and the dialog is not great.';
    expect(plugin.annotate!(interaction(text))).toEqual([
      { name: 'sentiment', value: -0.7042, model: vaderModel, label: 'negative' },
      { name: 'sentiment_positive', value: 0.094, model: vaderModel },
      { name: 'sentiment_neutral', value: 0.579, model: vaderModel },
      { name: 'sentiment_negative', value: 0.327, model: vaderModel },
    ]);
  });

  it('marks text in another language as unsupported instead of scoring it', () => {
    const plugin = sentimentScoring();
    for (const language of ['fr', 'de-CH', 'pt_BR', 'es']) {
      const scores = plugin.annotate!(interaction("C'est pas mal du tout", language));
      expect(scores, language).toEqual([
        { name: 'sentiment_unsupported', value: 1, model: vaderModel, label: 'unsupported-language' },
      ]);
      expect(scores?.some((s) => s.name === SENTIMENT_SCORES.compound)).toBe(false);
    }
    expect(UNSUPPORTED_LANGUAGE_LABEL).toBe('unsupported-language');
  });

  it("annotates nothing for another language with unsupportedLanguage: 'skip'", () => {
    const plugin = sentimentScoring({ unsupportedLanguage: 'skip' });
    expect(plugin.annotate!(interaction('Sehr gut', 'de'))).toBeUndefined();
    expect(plugin.annotate!(interaction('Very good', 'en'))?.[0]?.name).toBe('sentiment');
  });

  it('scores text whose language is unknown, and English under any spelling of its tag', () => {
    const plugin = sentimentScoring();
    for (const language of [null, 'en', 'EN', 'en-GB', 'en-Latn-US', 'en_US', 'eng', 'und']) {
      expect(plugin.annotate!(interaction('Great service', language))?.[0], String(language)).toMatchObject({
        name: 'sentiment',
        label: 'positive',
      });
    }
    expect(supportsLanguage('enm')).toBe(false);
    expect(supportsLanguage('fr-CA')).toBe(false);
  });

  it('annotates nothing when there is no text to score', () => {
    const plugin = sentimentScoring();
    expect(plugin.annotate!(interaction(null))).toBeUndefined();
    expect(plugin.annotate!(interaction(''))).toBeUndefined();
    expect(plugin.annotate!(interaction(' \n\t '))).toBeUndefined();
    expect(plugin.annotate!(interaction(null, 'fr'))).toBeUndefined();
  });

  it('rejects invalid or unknown options with RAPPORT_INVALID_OPTIONS, a path and a hint', () => {
    const range = optionsError({ threshold: 2 });
    expect(range).toMatchObject({
      code: 'RAPPORT_INVALID_OPTIONS',
      jsonPath: '$.threshold',
      plugin: 'sentiment',
    });
    const typo = optionsError({ treshold: 0.1 });
    expect(typo.jsonPath).toBe('$.treshold');
    expect(typo.hint).toMatch(/threshold/);
    expect(optionsError({ unsupportedLanguage: 'guess' }).jsonPath).toBe('$.unsupportedLanguage');
    expect(optionsError('loud').code).toBe('RAPPORT_INVALID_OPTIONS');
  });

  it('rejects a non-string text in vader() with RAPPORT_INVALID_INPUT', () => {
    let caught: unknown;
    try {
      vader(42 as unknown as string);
    } catch (error) {
      caught = error;
    }
    expect(isRapportError(caught, 'RAPPORT_INVALID_INPUT')).toBe(true);
    expect((caught as RapportError).jsonPath).toBe('$.text');
  });

  it('stores the annotations with each interaction ingested by a Rapport instance', async () => {
    const rapport = await createTestRapport({ scoring: [sentimentScoring()] });
    const base = {
      channel: 'mastodon',
      account: '@acme',
      direction: 'inbound',
      kind: 'mention',
      occurredAt: '2024-01-01T12:00:00Z',
    } as const;
    const { results } = await rapport.ingest([
      { ...base, externalId: 's-1', text: 'I love the new app!', actor: { externalId: 'ann' } },
      {
        ...base,
        externalId: 's-2',
        text: "J'adore la nouvelle appli",
        language: 'fr',
        actor: { externalId: 'bea' },
      },
      { ...base, externalId: 's-3', kind: 'reaction', actor: { externalId: 'cid' } },
    ]);
    expect(results.map((r) => r.status)).toEqual(['created', 'created', 'created']);
    const scoresOf = async (i: number) =>
      (await rapport.customers.timeline(results[i]!.customerId!)).items[0]?.scores;
    expect(await scoresOf(0)).toEqual([
      {
        name: 'sentiment',
        value: vader('I love the new app!').compound,
        model: vaderModel,
        label: 'positive',
      },
    ]);
    expect(await scoresOf(1)).toEqual([
      { name: 'sentiment_unsupported', value: 1, model: vaderModel, label: 'unsupported-language' },
    ]);
    expect(await scoresOf(2)).toEqual([]);
  });
});
