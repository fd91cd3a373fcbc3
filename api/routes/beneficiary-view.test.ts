import { maskPersonal } from './beneficiary-view';

describe('maskPersonal', () => {
  it('When personal data is masked, Then each field keeps only a hint and never the whole value', () => {
    const masked = maskPersonal({
      name: 'Sita Kumari Sharma',
      phone: '+9779841234567',
      email: 'sita.sharma@example.org',
      nationalId: 'NP-1234-5678',
    });

    expect(masked).toEqual({
      name: 'S*** K***** S*****',
      phone: '+977********67',
      email: 's**********@e******.org',
      nationalId: '*********678',
    });
  });

  it('When fields are short or absent, Then masking still hides them and adds nothing', () => {
    expect(maskPersonal({ name: 'Al', phone: '+1234567' })).toEqual({ name: 'A***', phone: '+123***67' });
    expect(maskPersonal({})).toEqual({});
  });
});
