from .time_range import filters_for_question as filters_for_question, time_range_in as time_range_in
