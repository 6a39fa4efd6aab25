import Testing
@testable import FirstaskClassifier
