import LessonsCLI

LessonsCommand.mainJoiningNegativeValues()
