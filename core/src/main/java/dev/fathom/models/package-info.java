/**
 * Ready-made models and their config records: {@link dev.fathom.models.ClassifierConfig} (the
 * config.json of CLI classifiers) and {@link dev.fathom.models.Classifiers} (MLP and CNN).
 */
package dev.fathom.models;
