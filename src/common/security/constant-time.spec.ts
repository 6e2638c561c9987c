import { constantTimeEqual } from './constant-time.js';

describe('constantTimeEqual', () => {
  it('is true only for identical secrets, whatever their lengths', () => {
    expect(constantTimeEqual('s3cret', 's3cret')).toBe(true);
    expect(constantTimeEqual(Buffer.from('s3cret'), 's3cret')).toBe(true);
    expect(constantTimeEqual('s3cret', 's3creT')).toBe(false);
    expect(constantTimeEqual('s3cret', 's3cret-and-more')).toBe(false);
    expect(constantTimeEqual('', 's3cret')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
