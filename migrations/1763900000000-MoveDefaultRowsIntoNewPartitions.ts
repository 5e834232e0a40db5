import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rows that landed in a default partition (written while no worker made partitions ahead) used
 * to make creating their partition fail for good ("would be violated by some row"), so every
 * later row went to the default partition too. Now such rows are moved into the new partition.
 */
export class MoveDefaultRowsIntoNewPartitions1763900000000 implements MigrationInterface {
  name = 'MoveDefaultRowsIntoNewPartitions1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create or replace function nines_ensure_partitions(parent text, granularity text, from_ts timestamptz, to_ts timestamptz)
      returns integer language plpgsql as $$
      declare
        step interval := case granularity when 'day' then interval '1 day' else interval '1 month' end;
        fmt  text := case granularity when 'day' then 'YYYYMMDD' else 'YYYYMM' end;
        cur  timestamptz := date_trunc(granularity, from_ts at time zone 'UTC') at time zone 'UTC';
        def  text := parent || '_default';
        col  text;
        made integer := 0;
        part text;
        stragglers boolean;
      begin
        select a.attname into col
          from pg_partitioned_table p join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0]
         where p.partrelid = parent::regclass;
        while cur < to_ts loop
          part := parent || '_p' || to_char(cur at time zone 'UTC', fmt);
          if to_regclass(part) is null then
            stragglers := false;
            if to_regclass(def) is not null then
              execute format('select exists (select 1 from %I where %I >= %L and %I < %L)', def, col, cur, col, cur + step) into stragglers;
            end if;
            if stragglers then
              execute format('create table %I (like %I including defaults including constraints)', part, parent);
              execute format('with moved as (delete from %I where %I >= %L and %I < %L returning *) insert into %I select * from moved',
                             def, col, cur, col, cur + step, part);
              execute format('alter table %I attach partition %I for values from (%L) to (%L)', parent, part, cur, cur + step);
            else
              execute format('create table %I partition of %I for values from (%L) to (%L)', part, parent, cur, cur + step);
            end if;
            made := made + 1;
          end if;
          cur := cur + step;
        end loop;
        return made;
      end $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      create or replace function nines_ensure_partitions(parent text, granularity text, from_ts timestamptz, to_ts timestamptz)
      returns integer language plpgsql as $$
      declare
        step interval := case granularity when 'day' then interval '1 day' else interval '1 month' end;
        fmt  text := case granularity when 'day' then 'YYYYMMDD' else 'YYYYMM' end;
        cur  timestamptz := date_trunc(granularity, from_ts at time zone 'UTC') at time zone 'UTC';
        made integer := 0;
        part text;
      begin
        while cur < to_ts loop
          part := parent || '_p' || to_char(cur at time zone 'UTC', fmt);
          if to_regclass(part) is null then
            execute format('create table %I partition of %I for values from (%L) to (%L)', part, parent, cur, cur + step);
            made := made + 1;
          end if;
          cur := cur + step;
        end loop;
        return made;
      end $$`);
  }
}
