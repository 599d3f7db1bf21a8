"""Receipt formats: one receipt's facts (`document`), rendered as a PDF (`pdf`) and as a mini receipt for thermal
printers, as text lines for a print page and as ESC/POS bytes (`mini`). Pure: they read the rows they are given."""
