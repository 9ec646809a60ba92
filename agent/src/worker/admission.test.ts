import { describe, expect, it } from 'vitest';
import { ACCEPTED_COUNT_MS, createJobAdmission } from './admission.ts';

function requests() {
  const answers: string[] = [];
  const req = (id: string) => ({
    id,
    accept: () => {
      answers.push(`accept ${id}`);
      return Promise.resolve();
    },
    reject: () => {
      answers.push(`reject ${id}`);
      return Promise.resolve();
    },
  });
  return { answers, req };
}

describe('createJobAdmission', () => {
  it('refuses the request past capacity at once, though no job runs yet (a burst between load reports)', async () => {
    const { answers, req } = requests();
    const refused: string[] = [];
    const admission = createJobAdmission({
      maxCalls: 2,
      running: () => [],
      refused: (id, calls) => refused.push(`${id}:${calls}`),
    });
    for (const id of ['AJ_1', 'AJ_2', 'AJ_3']) await admission.request(req(id));
    expect(answers).toEqual(['accept AJ_1', 'accept AJ_2', 'reject AJ_3']);
    expect(refused).toEqual(['AJ_3:2']);
    expect(admission.calls()).toBe(2);
  });

  it('counts a job once, accepted and then running, and frees its place when it ends', async () => {
    const { answers, req } = requests();
    let running: string[] = [];
    const admission = createJobAdmission({ maxCalls: 2, running: () => running });
    await admission.request(req('AJ_1'));
    running = ['AJ_1'];
    expect(admission.calls()).toBe(1);
    await admission.request(req('AJ_2'));
    running = ['AJ_1', 'AJ_2'];
    await admission.request(req('AJ_3'));
    running = ['AJ_2'];
    await admission.request(req('AJ_4'));
    expect(answers).toEqual(['accept AJ_1', 'accept AJ_2', 'reject AJ_3', 'accept AJ_4']);
  });

  it('stops counting an accepted job that never ran (a failed launch) after a while', async () => {
    const { answers, req } = requests();
    let t = 0;
    const admission = createJobAdmission({ maxCalls: 1, running: () => [], now: () => t });
    await admission.request(req('AJ_1'));
    t = ACCEPTED_COUNT_MS - 1;
    await admission.request(req('AJ_2'));
    t = ACCEPTED_COUNT_MS + 1;
    await admission.request(req('AJ_3'));
    expect(answers).toEqual(['accept AJ_1', 'reject AJ_2', 'accept AJ_3']);
  });

  it('counts running jobs it did not accept itself', async () => {
    const { answers, req } = requests();
    const admission = createJobAdmission({ maxCalls: 2, running: () => ['AJ_old1', 'AJ_old2'] });
    await admission.request(req('AJ_1'));
    expect(answers).toEqual(['reject AJ_1']);
  });
});
