/** Another live process (a `rapport up`, or a `rapport keys` that started PostgreSQL) owns the data directory. */
export class DataDirBusyError extends Error {
  readonly code = 'DATA_DIR_BUSY';

  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly command: string,
    lockFile: string,
  ) {
    super(
      `${dataDir} is in use by "${command}" (pid ${pid}). Stop that process first, or use another data directory ` +
        `(RAPPORT_DATA_DIR). If no such process is running, delete ${lockFile}.`,
    );
    this.name = 'DataDirBusyError';
  }
}

/** The cluster's postmaster.pid names a live process that could not be stopped, or that is not our PostgreSQL. */
export class StrayPostgresError extends Error {
  readonly code = 'STRAY_POSTGRES';

  constructor(
    readonly clusterDir: string,
    readonly pid: number,
    readonly ours: boolean,
  ) {
    super(
      ours
        ? `PostgreSQL (pid ${pid}) from an earlier run on ${clusterDir} did not stop when asked. Stop it with \`kill ${pid}\` and try again.`
        : `${clusterDir}/postmaster.pid names pid ${pid}, which is not a PostgreSQL on this cluster. If no PostgreSQL runs on it, delete that file and try again.`,
    );
    this.name = 'StrayPostgresError';
  }
}

/** The HTTP port is taken by another program. */
export class PortInUseError extends Error {
  readonly code = 'PORT_IN_USE';

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`Port ${port} on ${host} is already in use. Stop whatever listens there or choose another port with RAPPORT_PORT.`);
    this.name = 'PortInUseError';
  }
}
