import { aesGcmOpen, aesGcmSeal } from './aes-gcm';

const hex = (value: string): Buffer => Buffer.from(value, 'hex');

// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", appendix B, 256-bit key cases.
const K15 = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
const P15 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
  '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const C15 =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
  '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad';
const VECTORS = [
  {
    name: 'test case 14 (zero key, one zero block)',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    plaintext: '00'.repeat(16),
    aad: '',
    ciphertext: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  {
    name: 'test case 15 (no AAD)',
    key: K15,
    iv: 'cafebabefacedbaddecaf888',
    plaintext: P15,
    aad: '',
    ciphertext: C15,
    tag: 'b094dac5d93471bdec1a502270e3cc6c',
  },
  {
    name: 'test case 16 (AAD, partial block)',
    key: K15,
    iv: 'cafebabefacedbaddecaf888',
    plaintext: P15.slice(0, 120),
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ciphertext: C15.slice(0, 120),
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

describe('aesGcmSeal / aesGcmOpen', () => {
  it.each(VECTORS)('matches GCM spec $name', (v) => {
    const sealed = aesGcmSeal(hex(v.key), hex(v.iv), hex(v.plaintext), hex(v.aad));
    expect(sealed.toString('hex')).toBe(v.ciphertext + v.tag);
    const opened = aesGcmOpen(hex(v.key), hex(v.iv), sealed, hex(v.aad));
    expect(opened?.toString('hex')).toBe(v.plaintext);
  });

  it('refuses test case 16 with one AAD bit flipped', () => {
    const v = VECTORS[2];
    const aad = hex(v.aad);
    aad[0] ^= 0x01;
    expect(aesGcmOpen(hex(v.key), hex(v.iv), hex(v.ciphertext + v.tag), aad)).toBeUndefined();
  });

  it('refuses a body shorter than the tag', () => {
    expect(
      aesGcmOpen(hex(K15), Buffer.alloc(12), Buffer.alloc(15), Buffer.alloc(0)),
    ).toBeUndefined();
  });

  it('rejects an IV that is not 12 bytes', () => {
    expect(() => aesGcmSeal(hex(K15), Buffer.alloc(16), Buffer.alloc(1), Buffer.alloc(0))).toThrow(
      'AES-GCM IV must be 12 bytes, got 16',
    );
  });
});
