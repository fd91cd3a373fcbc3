import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';
import { exactlyOneOf } from './schemas';

const schema = exactlyOneOf(
  z.strictObject({ name: z.string(), list: z.array(z.string()).optional(), group: z.string().optional(), amount: z.string().optional() }),
  [['list'], ['group', 'amount']],
  'give exactly one of: list; group with amount',
);
const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
const documented = new Ajv2020({ strict: false }).compile(json);

/** Every combination of the optional fields, on top of the required one. */
const combinations = (['list', 'group', 'amount'] as const).reduce<Record<string, unknown>[]>(
  (acc, field) => acc.flatMap((b) => [b, { ...b, [field]: field === 'list' ? ['a'] : 'x' }]),
  [{ name: 'n' }],
);

describe('exactlyOneOf', () => {
  it('When any combination of the fields is given, Then the zod check and the documented oneOf agree', () => {
    const verdicts = combinations.map((body) => ({ body, zod: schema.safeParse(body).success, document: documented(body) }));

    expect(verdicts.filter((v) => v.zod !== v.document)).toEqual([]);
    expect(verdicts.filter((v) => v.zod).map((v) => Object.keys(v.body).sort())).toEqual(
      expect.arrayContaining([
        ['list', 'name'],
        ['amount', 'group', 'name'],
      ]),
    );
    expect(verdicts.filter((v) => v.zod)).toHaveLength(2);
  });

  it('When no set is given, Then the refusal names the first field of the first set', () => {
    const result = schema.safeParse({ name: 'n' });

    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['list'], message: 'give exactly one of: list; group with amount' }),
    ]);
  });
});
