/** key → database id of every configured target; refreshed by the registry sync on each load. */
export class TargetIds {
  ids = new Map<string, number>();
}
