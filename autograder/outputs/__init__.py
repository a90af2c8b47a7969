"""What people read of a Grade: the text report, the HTML report, results.json and the gradebook."""
