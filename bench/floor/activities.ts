/** The floor workflow's one step: no I/O, so what the run costs is Temporal's alone. */
export function createFloorActivities(onTouch: () => void) {
  return {
    async touch(id: string): Promise<string> {
      onTouch();
      return id;
    },
  };
}

export type FloorActivities = ReturnType<typeof createFloorActivities>;
