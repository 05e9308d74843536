-- 0016_relatives: reserved; its module writes the tables here.
SELECT 1;
