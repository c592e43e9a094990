import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KEY_MASK, keyPattern, maskKey } from '../../lambdas/core/seoul-api/key-mask.js';
import { revealsKey, SPELLINGS, type Spelling, spell } from '../support/key-spellings.js';

const KEY = 'Mask-Test-Key-4f0c2a9e';
const pattern = keyPattern(KEY);
const names = Object.keys(SPELLINGS);
const spelling = (name: string) => SPELLINGS[name] as Spelling;

describe('masking the key in any spelling', () => {
  for (const name of names) {
    it(`masks the key spelled ${name}, whole, and leaves the text around it`, () => {
      const text = `before ${spell(KEY, () => spelling(name))} after`;
      assert.equal(maskKey(text, pattern), `before ${KEY_MASK} after`);
    });
  }

  it('masks the key spelled with a different encoding for each character (partial escapes, any case)', () => {
    for (let shift = 0; shift < names.length; shift++) {
      const text = spell(KEY, (i) => spelling(names[(i + shift) % names.length] as string));
      const masked = maskKey(text, pattern);
      assert.equal(revealsKey(masked, KEY), undefined, `${text} → ${masked}`);
    }
  });

  it('masks any part of 8 characters or more, and leaves 7', () => {
    assert.equal(maskKey('x Test-Key-4f y', pattern), `x ${KEY_MASK} y`);
    assert.equal(maskKey('x Mask-Tes y', pattern), `x ${KEY_MASK} y`);
    assert.equal(maskKey('x 4f0c2a9e y', pattern), `x ${KEY_MASK} y`);
    assert.equal(maskKey('x Mask-Te y', pattern), 'x Mask-Te y');
    assert.equal(
      maskKey(
        spell('Test-Key-4', () => spelling('json \\u upper')),
        pattern,
      ),
      KEY_MASK,
    );
  });

  it('masks every occurrence, next to each other and among multi-byte text', () => {
    const text = `여의도 ${KEY}${KEY} 붐빔 ${spell(KEY, () => spelling('percent'))}😀${KEY}`;
    assert.equal(maskKey(text, pattern), `여의도 ${KEY_MASK}${KEY_MASK} 붐빔 ${KEY_MASK}😀${KEY_MASK}`);
  });

  it('masks keys with characters that are themselves escapes and non-ASCII', () => {
    for (const key of ['p%25&amp;\\u0041-key-x', '키-비밀-열쇠-값-12345', 'a/b"c\\d<e>f&g']) {
      const own = keyPattern(key);
      for (const name of names) {
        const text = `[${spell(key, () => spelling(name))}]`;
        assert.equal(maskKey(text, own), `[${KEY_MASK}]`, `${key} spelled ${name}: ${text}`);
      }
    }
  });

  it('leaves text without the key as it is', () => {
    for (const text of ['', '정상 처리되었습니다.', '%zz &#xZZ; \\u12 &bogus;', 'Mask Test Key']) {
      assert.equal(maskKey(text, pattern), text);
    }
  });

  it('no spelling mix of the key survives masking, whatever surrounds it (property)', () => {
    const key = fc.stringMatching(/^[A-Za-z0-9\-_.~%&/]{8,40}$/);
    fc.assert(
      fc.property(
        key,
        fc.array(fc.constantFrom(...names), { minLength: 1 }),
        fc.string(),
        fc.string(),
        (secret, picks, before, after) => {
          const text = `${before}${spell(secret, (i) => spelling(picks[i % picks.length] as string))}${after}`;
          const masked = maskKey(text, keyPattern(secret));
          // Only what was there before the key and after it may hold a fragment of the key.
          if (revealsKey(`${before}\u0000${after}`, secret)) return;
          assert.equal(revealsKey(masked, secret), undefined, JSON.stringify({ secret, text, masked }));
        },
      ),
      { seed: 20_260_718, numRuns: 400 },
    );
  });
});
