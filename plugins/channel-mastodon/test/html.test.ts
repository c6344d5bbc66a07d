import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from '../src/index.js';

describe('htmlToText', () => {
  it('turns paragraphs into blank lines and <br> into line breaks', () => {
    expect(htmlToText('<p>one</p><p>two<br>three<br />four</p>')).toBe('one\n\ntwo\nthree\nfour');
    expect(htmlToText('<p>a<br><br>b</p>')).toBe('a\n\nb');
  });

  it('keeps a mention and a hashtag as written', () => {
    expect(
      htmlToText(
        '<p><span class="h-card" translate="no"><a href="https://x.example/@bob" class="u-url mention">@<span>bob</span></a></span> hi <a href="https://x.example/tags/tea" class="mention hashtag" rel="tag">#<span>tea</span></a></p>',
      ),
    ).toBe('@bob hi #tea');
  });

  it('spells out a shortened link in full', () => {
    expect(
      htmlToText(
        '<p><a href="https://example.com/a/very/long/path"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very/lo</span><span class="invisible">ng/path</span></a></p>',
      ),
    ).toBe('https://example.com/a/very/long/path');
  });

  it('decodes named and numeric entities once', () => {
    expect(htmlToText('<p>&lt;b&gt; &amp;amp; &quot;q&quot; &#39;s&#39; &#x1F375; &hellip;</p>')).toBe(
      '<b> &amp; "q" \'s\' 🍵 …',
    );
    expect(decodeEntities('&notanentity; &amp &#0;')).toBe('&notanentity; &amp \ufffd');
  });

  it('collapses source white space like a browser, but keeps <pre>', () => {
    expect(htmlToText('<p>  spread\n   over   lines  </p>')).toBe('spread over lines');
    expect(htmlToText('<pre><code>let x = 1;\n  x += 1;</code></pre>')).toBe('let x = 1;\n  x += 1;');
  });

  it('puts list items on lines of their own, numbered for ordered lists', () => {
    expect(htmlToText('<p>Steps:</p><ol><li>open</li><li>close</li></ol><ul><li>tea</li></ul>')).toBe(
      'Steps:\n\n1. open\n2. close\n- tea',
    );
  });

  it('survives odd markup: attributes holding >, stray <, comments, scripts', () => {
    expect(
      htmlToText('<p><a title="a > b" href="#">link</a> 1 < 2<!-- note --></p><script>alert(1)</script>'),
    ).toBe('link 1 < 2');
    expect(htmlToText('')).toBe('');
    expect(htmlToText('plain text')).toBe('plain text');
  });

  it('keeps block quotes and headings apart from the text around them', () => {
    expect(htmlToText('<h1>Title</h1><blockquote><p>quoted</p></blockquote><p>reply</p>')).toBe(
      'Title\n\nquoted\n\nreply',
    );
  });
});
