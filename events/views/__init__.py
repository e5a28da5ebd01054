"""Pages of the events app, one module per screen family. Views stay thin."""
