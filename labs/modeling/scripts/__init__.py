"""SageMaker AI training scripts of the deep-learning lab (they import no kit code)."""
