import { describe, expect, it } from '@jest/globals';
import { XaesKey } from './xaes.js';

// The two vectors published with the C2SP XAES-256-GCM specification.
describe('XAES-256-GCM', () => {
  const nonce = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWX', 'utf8');

  it('matches the specification vectors', () => {
    const one = new XaesKey(Buffer.alloc(32, 0x01)).seal(nonce, Buffer.from('XAES-256-GCM'), Buffer.alloc(0));
    expect(Buffer.concat([one.ciphertext, one.tag]).toString('hex')).toBe('ce546ef63c9cc60765923609b33a9a1974e96e52daf2fcf7075e2271');
    const key = new XaesKey(Buffer.alloc(32, 0x03));
    const two = key.seal(nonce, Buffer.from('XAES-256-GCM'), Buffer.from('c2sp.org/XAES-256-GCM'));
    expect(Buffer.concat([two.ciphertext, two.tag]).toString('hex')).toBe('986ec1832593df5443a179437fd083bf3fdb41abd740a21f71eb769d');
    expect(key.open(nonce, two.ciphertext, two.tag, Buffer.from('c2sp.org/XAES-256-GCM'))?.toString()).toBe('XAES-256-GCM');
  });

  it('refuses a wrong tag, nonce or AAD, and use after destroy', () => {
    const key = new XaesKey(Buffer.alloc(32, 0x03));
    const sealed = key.seal(nonce, Buffer.from('secret'), Buffer.from('aad'));
    const otherNonce = Buffer.from(nonce);
    otherNonce[0] ^= 1;
    expect(key.open(otherNonce, sealed.ciphertext, sealed.tag, Buffer.from('aad'))).toBeNull();
    expect(key.open(nonce, sealed.ciphertext, sealed.tag, Buffer.from('aae'))).toBeNull();
    const tag = Buffer.from(sealed.tag);
    tag[15] ^= 1;
    expect(key.open(nonce, sealed.ciphertext, tag, Buffer.from('aad'))).toBeNull();
    key.destroy();
    expect(() => key.seal(nonce, Buffer.from('x'), Buffer.alloc(0))).toThrow('XAES key used after destroy');
  });
});
