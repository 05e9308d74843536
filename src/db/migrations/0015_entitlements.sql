-- 0015_entitlements: reserved; its module writes the tables here.
SELECT 1;
