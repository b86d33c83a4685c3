"""Shopping in the TUI: product pictures and cards, product / catalogue / cart / checkout
screens and the orders pane. Screens submit requests through the app's link and never hold
the client (see ``base.ShopScreen``)."""
