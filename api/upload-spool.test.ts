import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { spoolBody } from './upload-spool';

const request = (chunks: string[], headers: Record<string, string> = {}) => Object.assign(Readable.from(chunks), { headers });
const spools = async () => (await readdir(tmpdir())).filter((f) => f.startsWith('rahat-upload-'));

describe('spoolBody', () => {
  it('When a body is spooled, Then its sha256 and size are known and it can be read again from the start, twice', async () => {
    const body = await spoolBody(request(['beneficiaryId,amount\n', 'a,1\n', 'b,2\n']), 1000);

    expect(body.sha256).toBe(createHash('sha256').update('beneficiaryId,amount\na,1\nb,2\n').digest('hex'));
    expect(body.bytes).toBe(29);
    expect(await text(body.open())).toBe('beneficiaryId,amount\na,1\nb,2\n');
    expect(await text(body.open())).toBe('beneficiaryId,amount\na,1\nb,2\n');
    await body.remove();
  });

  it('When the body is removed, Then its temp file is gone', async () => {
    const before = await spools();
    const body = await spoolBody(request(['x']), 10);
    expect((await spools()).length).toBe(before.length + 1);

    await body.remove();

    expect(await spools()).toEqual(before);
  });

  it('When the body grows past the limit, Then 413 and no temp file is left', async () => {
    const before = await spools();

    await expect(spoolBody(request(['12345', '67890', 'x']), 10)).rejects.toMatchObject({ status: 413, title: 'Payload Too Large' });

    expect(await spools()).toEqual(before);
  });

  it('When Content-Length already says it is too large, Then 413 before anything is read', async () => {
    const req = request(['never read'], { 'content-length': '11' });

    await expect(spoolBody(req, 10)).rejects.toMatchObject({ status: 413 });
    expect(req.readableEnded).toBe(false);
  });

  it('When the client breaks off mid-body, Then 400 and no temp file is left', async () => {
    const before = await spools();
    const req = Object.assign(new PassThrough(), { headers: {} });
    req.write('half a fi');
    setTimeout(() => req.destroy(), 20);

    await expect(spoolBody(req, 1000)).rejects.toMatchObject({ status: 400, title: 'Incomplete body' });
    expect(await spools()).toEqual(before);
  });
});
