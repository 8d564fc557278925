import { UploadRefusedError, formatBytes, readUploadAnswer, tooLargeForUpload, uploadTarget } from '../src/files/upload-file';
import { uploadsReducer, type Upload } from '../src/files/uploads';

describe('uploading a file to the files service', () => {
  it('adds the file name to the signed link, keeping its token, and encodes it', () => {
    const target = new URL(uploadTarget('http://files.test:3012/files/uploads?token=abc.def', 'рахунок №7 & акт.pdf'));
    expect(target.pathname).toBe('/files/uploads');
    expect(target.searchParams.get('token')).toBe('abc.def');
    expect(target.searchParams.get('name')).toBe('рахунок №7 & акт.pdf');
  });

  it('takes the stored file from a 201', () => {
    expect(readUploadAnswer(201, JSON.stringify({ file: { id: 'f1', fileName: 'pixel.png', state: 'STORED' } }))).toEqual({ id: 'f1', fileName: 'pixel.png' });
  });

  it("reports a refusal with the service's own reason and message", () => {
    const body = JSON.stringify({ error: { reason: 'FILE_TYPE_MISMATCH', message: 'The content of "a.png" is a PDF document, not an image' } });
    let thrown: unknown;
    try {
      readUploadAnswer(415, body);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UploadRefusedError);
    expect(thrown).toMatchObject({ reason: 'FILE_TYPE_MISMATCH', status: 415, message: 'The content of "a.png" is a PDF document, not an image' });
  });

  it('never takes an answer of another shape for success', () => {
    expect(() => readUploadAnswer(201, '{}')).toThrow('The files service answered HTTP 201');
    expect(() => readUploadAnswer(502, '<html>Bad gateway</html>')).toThrow('The files service answered HTTP 502');
    expect(() => readUploadAnswer(200, JSON.stringify({ file: { id: 'f1' } }))).toThrow(UploadRefusedError);
  });

  it('refuses a file over the limit before sending it', () => {
    expect(tooLargeForUpload(50 * 1024 * 1024, 50 * 1024 * 1024)).toBe(false);
    expect(tooLargeForUpload(50 * 1024 * 1024 + 1, 50 * 1024 * 1024)).toBe(true);
  });

  it('writes sizes as people read them, in the page language', () => {
    expect(formatBytes(68, 'en')).toBe('68 B');
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
    expect(formatBytes(1536, 'uk')).toBe('1,5 КБ');
    expect(formatBytes(50 * 1024 * 1024, 'uk')).toBe('50 МБ');
  });
});

describe('the reply box uploads', () => {
  const started = uploadsReducer([], { type: 'started', key: 1, name: 'pixel.png', sizeBytes: 68 });

  it('moves progress forward only and ends stored with the file id', () => {
    let uploads: Upload[] = uploadsReducer(started, { type: 'progress', key: 1, progress: 0.6 });
    uploads = uploadsReducer(uploads, { type: 'progress', key: 1, progress: 0.4 });
    expect(uploads[0]).toMatchObject({ progress: 0.6, state: 'uploading' });
    uploads = uploadsReducer(uploads, { type: 'stored', key: 1, fileId: 'f1' });
    expect(uploads[0]).toMatchObject({ progress: 1, state: 'stored', fileId: 'f1' });
  });

  it('keeps the final state whatever late event arrives, and keeps the reason of a refusal', () => {
    let uploads = uploadsReducer(started, { type: 'refused', key: 1, message: 'too large' });
    uploads = uploadsReducer(uploads, { type: 'progress', key: 1, progress: 1 });
    uploads = uploadsReducer(uploads, { type: 'stored', key: 1, fileId: 'f1' });
    expect(uploads).toEqual([{ key: 1, name: 'pixel.png', sizeBytes: 68, progress: 0, state: 'refused', message: 'too large' }]);
  });

  it('changes only the upload an event is about, and dismisses one', () => {
    let uploads = uploadsReducer(started, { type: 'started', key: 2, name: 'act.pdf', sizeBytes: 1000 });
    uploads = uploadsReducer(uploads, { type: 'failed', key: 2, message: 'network error' });
    expect(uploads.map((upload) => upload.state)).toEqual(['uploading', 'failed']);
    expect(uploadsReducer(uploads, { type: 'dismissed', key: 2 }).map((upload) => upload.key)).toEqual([1]);
  });
});
