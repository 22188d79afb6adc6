DELETE FROM staged;
INSERT INTO staged SELECT randomblob(16), abs(random())%12, abs(random())%50000, abs(random())%4400, NULL, 1, 1700000000000 + (SELECT count(*) FROM events)*5 + value*5, abs(random())%125000, 1234.5, NULL, NULL,NULL,NULL,NULL,NULL,NULL,NULL FROM (WITH RECURSIVE g(value) AS (SELECT 1 UNION ALL SELECT value+1 FROM g WHERE value<100000) SELECT value FROM g);
