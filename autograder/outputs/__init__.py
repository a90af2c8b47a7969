"""What people read of a Grade: the text report, results.json and the gradebook."""
