"""Shows: the editions of an exhibition, their dates and the service stage they are in."""
