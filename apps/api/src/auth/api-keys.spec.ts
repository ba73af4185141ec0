import { ApiKeyRing, parseApiKeys } from './api-keys';

describe('API keys', () => {
  it('parses user and admin keys', () => {
    expect(parseApiKeys(' aaaaaaaaaaaaaaaa , bbbbbbbbbbbbbbbb:admin,')).toEqual([
      { key: 'aaaaaaaaaaaaaaaa', scope: 'user' },
      { key: 'bbbbbbbbbbbbbbbb', scope: 'admin' },
    ]);
    expect(parseApiKeys('')).toEqual([]);
  });

  it.each([
    ['short', /16\+/],
    ['aaaaaaaaaaaaaaaa:root', /key:admin/],
    ['aaaaaaaaaaaaaaaa:admin:x', /key:admin/],
    ['aaaaaaaaaaaaaaaa,aaaaaaaaaaaaaaaa', /duplicate/],
    ['aaaaaaaa aaaaaaaa', /printable/],
  ])('rejects %p', (raw, message) => {
    expect(() => parseApiKeys(raw)).toThrow(message);
  });

  it('authenticates Bearer keys only, with a stable non-secret key id', () => {
    const ring = new ApiKeyRing(parseApiKeys('aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbb:admin'));
    const user = ring.authenticate('Bearer aaaaaaaaaaaaaaaa');
    expect(user).toEqual({ keyId: expect.stringMatching(/^[0-9a-f]{12}$/), scope: 'user' });
    expect(user!.keyId).not.toContain('aaaa');
    expect(ring.authenticate('Bearer bbbbbbbbbbbbbbbb')?.scope).toBe('admin');
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'bearer aaaaaaaaaaaaaaaa',
      'Basic aaaaaaaaaaaaaaaa',
      'Bearer aaaaaaaaaaaaaaa',
      'Bearer aaaaaaaaaaaaaaaaa',
      'Bearer aaaaaaaaaaaaaaaa ',
    ]) {
      expect(ring.authenticate(header)).toBeNull();
    }
  });
});
