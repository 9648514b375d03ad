"""Stage 4, batch: rendering many reports (runner, workers), publishing, the manifest, HTML/PDF export and the privacy audit."""
