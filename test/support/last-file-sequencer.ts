import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Keeps the default order but runs `zz-*.test.ts` files last: they check invariants of the whole run. */
export class LastFileSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isLast = (file: TestSpecification) => /\/zz-[^/]+\.test\.ts$/.test(file.moduleId);
    return [...sorted.filter((f) => !isLast(f)), ...sorted.filter(isLast)];
  }
}
