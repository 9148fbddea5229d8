"""Exploratory modelling: experiments over levers and uncertainties, their outcomes and the
levers' robustness (:mod:`~tightrope.exploratory.experiments`), and scenario discovery
(:mod:`~tightrope.exploratory.discovery`). After the EMA Workbench (Kwakkel 2017): the model (the
scenario) apart from the experiment (levers, uncertainties, design) and from the analysis."""
