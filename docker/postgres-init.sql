-- duban's outcome store lives beside Temporal's databases in the compose stack.
CREATE DATABASE duban;
