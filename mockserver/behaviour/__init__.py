"""What operations do to the world, declared as data: the vocabulary of steps, the answer
templates, the world's addressing and the engine that runs them. No web framework here."""
