import type { Row } from './mysql.driver';

/**
 * SHOW REPLICA STATUS of a MariaDB 10.11 replica as mysql2 returns it. MariaDB keeps the old
 * column names (Slave_IO_Running, Master_Host, Seconds_Behind_Master) even for SHOW REPLICA STATUS.
 * Recorded with the SQL thread stopped on a duplicate CREATE USER.
 */
export const MARIADB_SQL_STOPPED: Row = {
  Slave_IO_State: 'Waiting for master to send event',
  Master_Host: '127.0.0.1',
  Master_User: 'repl',
  Master_Port: 27301,
  Connect_Retry: 60,
  Master_Log_File: 'bin.000001',
  Read_Master_Log_Pos: 1283,
  Relay_Log_File: 'p2-relay-bin.000002',
  Relay_Log_Pos: 946,
  Relay_Master_Log_File: 'bin.000001',
  Slave_IO_Running: 'Yes',
  Slave_SQL_Running: 'No',
  Replicate_Do_DB: '',
  Last_Errno: 1396,
  Last_Error: "Error 'Operation CREATE USER failed for 'nines'@'127.0.0.1'' on query. Default database: ''. Query: 'CREATE USER 'nines'@'127.0.0.1' IDENTIFIED BY 'ninespw''",
  Skip_Counter: 0,
  Exec_Master_Log_Pos: 653,
  Relay_Log_Space: 1882,
  Until_Condition: 'None',
  Seconds_Behind_Master: null,
  Last_IO_Errno: 0,
  Last_IO_Error: '',
  Last_SQL_Errno: 1396,
  Last_SQL_Error: "Error 'Operation CREATE USER failed for 'nines'@'127.0.0.1'' on query. Default database: ''. Query: 'CREATE USER 'nines'@'127.0.0.1' IDENTIFIED BY 'ninespw''",
  Replicate_Ignore_Server_Ids: '',
  Master_Server_Id: 1,
  Using_Gtid: 'Slave_Pos',
  Gtid_IO_Pos: '0-1-6',
  Parallel_Mode: 'optimistic',
  SQL_Delay: 0,
  SQL_Remaining_Delay: null,
  Slave_SQL_Running_State: '',
  Slave_DDL_Groups: 3,
  Slave_Non_Transactional_Groups: 0,
  Slave_Transactional_Groups: 0,
};

export const MARIADB_HEALTHY: Row = {
  ...MARIADB_SQL_STOPPED,
  Slave_SQL_Running: 'Yes',
  Last_Errno: 0,
  Last_Error: '',
  Last_SQL_Errno: 0,
  Last_SQL_Error: '',
  Seconds_Behind_Master: 0,
  Gtid_IO_Pos: '0-1-7',
  Slave_SQL_Running_State: 'Slave has read all relay log; waiting for more updates',
};

/** The primary was stopped: the IO thread keeps reconnecting. */
export const MARIADB_IO_CONNECTING: Row = {
  ...MARIADB_HEALTHY,
  Slave_IO_State: 'Reconnecting after a failed master event read',
  Slave_IO_Running: 'Connecting',
  Seconds_Behind_Master: null,
  Last_IO_Errno: 2003,
  Last_IO_Error: "error reconnecting to master 'repl@127.0.0.1:27301' - retry-time: 60  maximum-retries: 100000  message: Can't connect to server on '127.0.0.1' (111 \"Connection refused\")",
};

/** MySQL 8.0.22+ names (Replica_…, Source_…), with GTID sets; lagging by 42 s. */
export const MYSQL8_LAGGING: Row = {
  Replica_IO_State: 'Waiting for source to send event',
  Source_Host: 'db-primary.internal',
  Source_User: 'repl',
  Source_Port: 3306,
  Replica_IO_Running: 'Yes',
  Replica_SQL_Running: 'Yes',
  Last_Errno: 0,
  Last_Error: '',
  Seconds_Behind_Source: 42,
  Last_IO_Errno: 0,
  Last_IO_Error: '',
  Last_SQL_Errno: 0,
  Last_SQL_Error: '',
  Source_Server_Id: 1,
  Source_UUID: '3e11fa47-71ca-11e1-9e33-c80aa9429562',
  Replica_SQL_Running_State: 'Waiting for dependent transaction to commit',
  Retrieved_Gtid_Set: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5032',
  Executed_Gtid_Set: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-4990,\n8a94f357-aab4-11df-86ab-c80aa9429562:1-3',
  Auto_Position: 1,
  Channel_Name: '',
  SQL_Delay: 0,
};
