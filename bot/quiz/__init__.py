"""Quizzes on digital skills: question banks, attempts and results."""
