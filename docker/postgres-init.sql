-- Runs once, when the stack's PostgreSQL starts on an empty volume: Temporal's two databases (their schemas come
-- from the temporal-schema job) and duban's outcome store (duban migrates it itself).
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
CREATE DATABASE duban;
