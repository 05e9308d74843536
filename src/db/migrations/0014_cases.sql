-- 0014_cases: reserved; its module writes the tables here.
SELECT 1;
