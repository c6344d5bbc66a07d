import { describe, expect, it } from 'vitest';
import { decodeHtmlEntities, htmlToText } from '../src/index.js';

describe('htmlToText', () => {
  it('drops tags, keeps paragraphs and list items apart, decodes entities', () => {
    expect(htmlToText('<p>One &amp; two</p>\n\n<ul><li>a</li><li>b</li></ul><p>x<br/>y</p>')).toBe(
      'One & two\n\n- a\n- b\n\nx\ny',
    );
  });
  it('keeps escaped markup as text', () => {
    expect(htmlToText('<pre><code>&lt;b&gt;bold&lt;/b&gt;</code></pre>')).toBe('<b>bold</b>');
  });
});

describe('decodeHtmlEntities', () => {
  it('decodes numeric and common named references and leaves unknown ones', () => {
    expect(decodeHtmlEntities('&#39;&#x1F600;&quot;&nbsp;&bogus;&#xFFFFFFF;')).toBe(
      '\'\u{1F600}"\u00a0&bogus;&#xFFFFFFF;',
    );
  });
});
