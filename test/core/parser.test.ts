// The text grammar: quoted strings, mentions, keyword sections and lists.
import { describe, expect, it } from 'vitest';
import { key, keywordArgs, serviceKey, slugify, splitList, tokenize } from '../../src/core/parse/tokens.js';
import { normaliseRef } from '../../src/core/handlers/common.js';

describe('tokenize', () => {
  it('keeps quoted strings together, straight or curly', () => {
    expect(tokenize('org register "Easton Youth" income 5k').map((t) => t.text)).toEqual(['org', 'register', 'Easton Youth', 'income', '5k']);
    expect(tokenize('tender add “Mental health” value 1m')[2]).toEqual({ text: 'Mental health', quoted: true });
  });

  it('reads Slack-style mentions with or without a name', () => {
    const [a, b] = tokenize('<@U123ABC|amara> <@U999>');
    expect(a?.mention).toBe('U123ABC');
    expect(b?.mention).toBe('U999');
  });

  it('drops control and bidi characters and survives an unclosed quote', () => {
    expect(tokenize('org\u0000 list\u202E').map((t) => t.text)).toEqual(['org', 'list']);
    expect(tokenize('org show "unclosed').map((t) => t.text)).toEqual(['org', 'show', 'unclosed']);
  });
});

describe('keyword sections', () => {
  it('collects multi-word values up to the next keyword', () => {
    const { positional, named } = keywordArgs(tokenize('Easton Wellbeing income 85k services mental health, peer support areas Easton home Easton'), ['income', 'services', 'areas', 'home']);
    expect(positional.map((t) => t.text).join(' ')).toBe('Easton Wellbeing');
    expect(named.get('services')).toBe('mental health, peer support');
    expect(named.get('home')).toBe('Easton');
  });

  it('does not treat a quoted keyword as a keyword', () => {
    const { named } = keywordArgs(tokenize('x home "home farm"'), ['home']);
    expect(named.get('home')).toBe('home farm');
  });

  it('reports a keyword given twice', () => {
    expect(keywordArgs(tokenize('hours 9-5 hours 10-6'), ['hours']).repeated).toEqual(['hours']);
  });
});

describe('names and references', () => {
  it('splits lists on commas and semicolons but not on "and"', () => {
    expect(splitList('drug and alcohol, housing; advice,,')).toEqual(['drug and alcohol', 'housing', 'advice']);
  });

  it('normalises services, slugs and keys', () => {
    expect(serviceKey('Drug & Alcohol')).toBe('drug-and-alcohol');
    expect(slugify("St. Paul's Sisters' Network")).toBe('st-pauls-sisters-network');
    expect(key('St. Pauls ')).toBe(key('st pauls'));
  });

  it('accepts forgiving forms of references', () => {
    expect(normaliseRef('t12', 'T')).toBe('T-12');
    expect(normaliseRef('C-004', 'C')).toBe('C-4');
    expect(normaliseRef('K-1', 'T')).toBeNull();
    expect(normaliseRef('{"$gt":""}', 'T')).toBeNull();
  });
});
