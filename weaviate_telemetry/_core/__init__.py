"""The core: value objects, errors, validation, events and the one-way request pipeline."""
