-- lslparutil samples: one row per resource per sampling instant. The HMC attributes that follow
-- time/event_type/resource_type/sys_time are a JSON object whose key order is the HMC's order.
-- Rows are read by resource type over a time window, newest first, and deleted by age (retention).
CREATE TABLE utilization_sample (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms       INTEGER NOT NULL,
    resource_type TEXT NOT NULL CHECK (resource_type IN ('LPAR', 'POOL', 'PROCPOOL', 'SYS')),
    resource_id   INTEGER NOT NULL,
    event_type    TEXT NOT NULL CHECK (event_type IN ('sample', 'state_change', 'config_change',
                                                      'utility_cod_proc_usage')),
    attributes    TEXT NOT NULL
);

CREATE INDEX utilization_sample_type_time ON utilization_sample (resource_type, time_ms);
