import { describe, expect, it } from 'vitest';
import { cleanLine, cleanText, decodeEntities, repairMojibake, restoreLineBreaks } from '../../src/core/ocds/ocds.text.js';

describe('text from notices', () => {
  it('repairs UTF-8 that was read as Windows-1252', () => {
    expect(repairMojibake('value is \u00c2\u00a3178,542')).toBe('value is £178,542');
    expect(repairMojibake('\u00e2\u20ac\u00a2 item')).toBe('• item');
    expect(repairMojibake('caf\u00c3\u00a9')).toBe('café');
  });

  it('leaves text that was never damaged alone', () => {
    for (const text of ['£5 at the café', 'naïve – “quoted”', 'Ærø', 'plain ASCII', '€100 • £90', '😀 emoji']) {
      expect(repairMojibake(text)).toBe(text);
    }
  });

  it('decodes named and numeric entities but not unknown ones', () => {
    expect(decodeEntities('Children&apos;s &amp; families &#8211; &#x2019; &pound;5')).toBe('Children\'s & families – ’ £5');
    expect(decodeEntities('&madeup; &#xD800; & alone')).toBe('&madeup; &#xD800; & alone');
  });

  it('restores stripped line breaks without breaking words that contain "rn"', () => {
    expect(restoreLineBreaks('first.rnrnSecond')).toBe('first.\n\nSecond');
    expect(restoreLineBreaks('abuse.rnThe service')).toBe('abuse.\nThe service');
    expect(restoreLineBreaks('notice:rn        Instead of')).toBe('notice:\nInstead of');
    const words = 'a modern return to Northern learning; turn left, concern. Stern Warning';
    expect(restoreLineBreaks(words)).toBe(words);
  });

  it('cleans a description end to end, and a title onto one line', () => {
    expect(cleanText('<p>Intro.rn\u00e2\u20ac\u00a2tChildren &amp; families</p>'))
      .toBe('Intro.\n• Children & families');
    expect(cleanLine('  Equalities &amp;\n Cultural  Diversity ')).toBe('Equalities & Cultural Diversity');
  });
});
