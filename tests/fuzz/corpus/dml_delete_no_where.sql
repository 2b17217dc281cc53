DELETE FROM messages;
