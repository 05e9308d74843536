-- 0017_advisers: reserved; its module writes the tables here.
SELECT 1;
