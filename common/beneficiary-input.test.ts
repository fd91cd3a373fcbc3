import { beneficiaryInput, fieldErrors, toRecord } from './beneficiary-input';

const parse = (v: unknown) => beneficiaryInput.safeParse(v);
const errorsOf = (v: unknown) => {
  const r = parse(v);
  if (r.success) throw new Error('expected the input to be rejected');
  return fieldErrors(r.error);
};

describe('beneficiary input', () => {
  it('When a full record is given, Then it is normalised and split into personal and non-personal parts', () => {
    const r = parse({
      externalId: 'unicef-0001',
      name: '  Sita Sharma ',
      phone: '+977 (984) 123-4567',
      email: 'Sita@Example.org',
      nationalId: 'NP-1234',
      gender: 'female',
      birthDate: '1990-04-01',
      location: 'Kathmandu',
      bankedStatus: 'unbanked',
      internetStatus: 'MOBILE_INTERNET',
      phoneStatus: 'smart_phone',
      walletAddress: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
      extras: { household: 4, headOfHousehold: true },
    });

    expect(r.success).toBe(true);
    expect(toRecord(r.data!)).toEqual({
      externalId: 'unicef-0001',
      personal: { name: 'Sita Sharma', phone: '+9779841234567', email: 'sita@example.org', nationalId: 'NP-1234' },
      profile: {
        gender: 'FEMALE',
        birthDate: '1990-04-01',
        location: 'Kathmandu',
        bankedStatus: 'UNBANKED',
        internetStatus: 'MOBILE_INTERNET',
        phoneStatus: 'SMART_PHONE',
        extras: { household: 4, headOfHousehold: true },
      },
      walletAddress: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    });
  });

  it('When neither externalId nor phone is given, Then the record is rejected naming externalId', () => {
    expect(errorsOf({ name: 'No Key' })).toEqual([
      { field: 'externalId', message: 'externalId or phone is required to identify the person' },
    ]);
  });

  it('When only a phone identifies the person, Then the record is accepted', () => {
    expect(parse({ phone: '+9779841234567' }).success).toBe(true);
  });

  it.each([
    [{ phone: '9841234567' }, 'phone', /international number/],
    [{ externalId: 'ext-9', email: 'not-an-email' }, 'email', /email/],
    [{ externalId: 'ext-9', birthDate: '2099-01-01' }, 'birthDate', /between 1900 and today/],
    [{ externalId: 'ext-9', birthDate: '1990-02-30' }, 'birthDate', /real date/],
    [{ externalId: 'ext-9', gender: 'robot' }, 'gender', /one of FEMALE, MALE, OTHER, UNKNOWN/],
    [{ externalId: 'ext-9', walletAddress: '0x1234' }, 'walletAddress', /20-byte/],
    [{ externalId: 'ext-9', ageRange: 'young' }, 'ageRange', /18-25/],
    [{ externalId: 'bad id!' }, 'externalId', /letters, digits/],
    [{ externalId: 'ext-9', favouriteColour: 'red' }, 'favouriteColour', /not a known field/],
  ])('When %j is given, Then the error names %s and never repeats the value', (input, field, message) => {
    const errors = errorsOf(input);

    expect(errors).toHaveLength(1);
    expect(errors[0]!.field).toBe(field);
    expect(errors[0]!.message).toMatch(message);
    for (const value of Object.values(input)) expect(errors[0]!.message).not.toContain(String(value));
  });
});
