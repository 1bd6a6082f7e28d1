"""Tools that build parts of the site, not part of tinyloop: ``tools.pictures`` draws its
pictures."""
