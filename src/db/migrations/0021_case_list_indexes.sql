-- 0021_case_list_indexes: the case list's program filter (`programs @> array[…]`) by a GIN index on the
-- programs array (src/cases/schema.ts). Without it a program that few cases apply for was found by walking
-- the district's whole due-day order (measured at 200,000 cases on PostgreSQL 15: 73 ms for the district,
-- 157 ms for a street, against 16 ms and 45 ms with it); common programs keep the due-day index walk.
CREATE INDEX "cases_programs_gin" ON "cases" USING gin ("programs");
