# Evidence models arrive with the evidence issue; the app exists so the layout is fixed early.
